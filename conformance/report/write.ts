// Writes the chosen report formats next to each other. The JSON file is sealed (digest, and a
// signature when a key is given) before anything is rendered, so every format shows the same digest.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Report } from '../checks/framework.js'
import { renderHtml } from './html.js'
import { sealReport, serializeReport, signReport } from './json.js'
import { renderJunit } from './junit.js'
import { renderMarkdown } from './markdown.js'

export type ReportFormat = 'json' | 'junit' | 'html' | 'md'
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'junit', 'html', 'md']

const FILE: Record<ReportFormat, string> = { json: 'report.json', junit: 'report.junit.xml', html: 'report.html', md: 'report.md' }

export interface WriteOptions {
  /** Sign with this Ed25519 key; otherwise the report is only sealed with its digest. */
  signing?: { privateKeyPem: string; keyId: string }
  /** Re-rendering a report read from disk: leave its integrity block (or its absence) untouched. */
  keepIntegrity?: boolean
}

/** Render and write; returns the written paths by format, in the order asked for. */
export async function writeReports(report: Report, outDir: string, formats: readonly ReportFormat[], o: WriteOptions = {}): Promise<Partial<Record<ReportFormat, string>>> {
  const sealed = o.keepIntegrity ? report : o.signing ? signReport(report, o.signing) : sealReport(report)
  await mkdir(outDir, { recursive: true })
  const render: Record<ReportFormat, (r: Report) => string> = { json: serializeReport, junit: renderJunit, html: renderHtml, md: renderMarkdown }
  const paths: Partial<Record<ReportFormat, string>> = {}
  for (const f of [...new Set(formats)]) {
    const path = join(outDir, FILE[f])
    await writeFile(path, render[f](sealed), 'utf8')
    paths[f] = path
  }
  return paths
}
