// R8: the application's documents. Each is stored once as a content-addressed blob and listed in
// application_documents with its audit entry; uploads are accepted only while the application is a
// draft, and only of a type the provider's kind requires (with that type's attribute check).
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Transaction } from 'kysely'
import { sgError } from '../../specs/lib/errors.js'
import type { Database } from '../store/schema.js'
import type { Actor } from './actor.js'
import { DOCUMENT_TYPES } from './requirements-by-kind.js'
import type { ProviderKind } from './requirements-by-kind.js'
import { appendAudit, loadApplication } from './transition.js'
import type { WorkflowContext } from './transition.js'
import { toDocumentView } from './views.js'
import type { DocumentView } from './views.js'

export interface DocumentInput {
  type: string
  fileName: string
  contentType: string
  bytes: Buffer
  attributes?: Record<string, unknown>
}

export async function addDocument(ctx: WorkflowContext, applicationId: string, actor: Actor, doc: DocumentInput): Promise<DocumentView> {
  const row = await loadApplication(ctx, ctx.store.db, applicationId, actor, false)
  if (row.state !== 'draft') throw sgError('SG_ERR_WORKFLOW_LOCKED', `the application is ${row.state}`)
  const type = DOCUMENT_TYPES.find((d) => d.type === doc.type && d.requiredFor.includes(row.kind as ProviderKind))
  if (!type) throw sgError('SG_ERR_WORKFLOW_DOCUMENT_TYPE', `${doc.type} is not a document type for ${row.kind}`, { accepted: DOCUMENT_TYPES.filter((d) => d.requiredFor.includes(row.kind as ProviderKind)).map((d) => d.type) })
  const problem = type.checkAttributes?.(doc.attributes ?? {})
  if (problem) throw sgError('SG_ERR_WORKFLOW_BAD_DOCUMENT', `${doc.type}: ${problem}`)
  return ctx.store.transaction(async (trx) => {
    const locked = await loadApplication(ctx, trx, applicationId, actor, true)
    if (locked.state !== 'draft') throw sgError('SG_ERR_WORKFLOW_LOCKED', `the application is ${locked.state}`)
    return insertDocument(ctx, trx, actor, locked.id, doc)
  })
}

/** Stores the bytes and lists the document, inside the caller's transaction (also the commitment letter's path). */
export async function insertDocument(ctx: WorkflowContext, trx: Transaction<Database>, actor: Actor, applicationId: string, doc: DocumentInput): Promise<DocumentView> {
  if (doc.bytes.length === 0) throw sgError('SG_ERR_WORKFLOW_BAD_DOCUMENT', 'the document is empty')
  const put = await ctx.blobs.put(Readable.from([doc.bytes]))
  const view: DocumentView = { id: `doc_${randomUUID()}`, type: doc.type, fileName: doc.fileName, contentType: doc.contentType, sha256: put.sha256, size: put.size, attributes: doc.attributes ?? {}, uploadedAt: ctx.now() }
  await trx.insertInto('application_documents').values({
    id: view.id, application_id: applicationId, doc_type: view.type, file_name: view.fileName, content_type: view.contentType,
    sha256: view.sha256, size: view.size, attributes: JSON.stringify(view.attributes), uploaded_at: view.uploadedAt,
  }).execute()
  await appendAudit(ctx, trx, actor, 'application.document-added', applicationId, { documentId: view.id, type: view.type, sha256: view.sha256, size: view.size })
  return view
}

export async function documents(ctx: WorkflowContext, applicationId: string, actor: Actor): Promise<DocumentView[]> {
  await loadApplication(ctx, ctx.store.db, applicationId, actor, false)
  const rows = await ctx.store.db.selectFrom('application_documents').selectAll().where('application_id', '=', applicationId).orderBy('uploaded_at').orderBy('id').execute()
  return rows.map(toDocumentView)
}

export async function documentContent(ctx: WorkflowContext, applicationId: string, documentId: string, actor: Actor): Promise<{ doc: DocumentView; stream: Readable }> {
  const doc = (await documents(ctx, applicationId, actor)).find((d) => d.id === documentId)
  if (!doc) throw sgError('SG_ERR_WORKFLOW_DOCUMENT_NOT_FOUND', documentId.slice(0, 80))
  return { doc, stream: await ctx.blobs.get(doc.sha256) }
}
