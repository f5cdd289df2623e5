// CSV for subsidy review, opened in Excel by reviewers: UTF-8 with a BOM (without it Excel reads
// Chinese as GBK mojibake), CRLF line ends, RFC 4180 quoting, and cells that would start a formula
// (= + - @, tab, CR) prefixed with an apostrophe so a hostile course id cannot run in a spreadsheet.
export const CSV_BOM = '\uFEFF'
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8'

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvLine(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`
}
