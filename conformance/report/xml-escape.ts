// XML 1.0 forbids most C0 controls, U+FFFE/U+FFFF and unpaired surrogates even as character
// references, and a CI parser rejects the whole file over one of them. Provider responses end up
// in evidence verbatim, so such characters are shown as visible `\uXXXX` text instead.
// eslint-disable-next-line no-control-regex -- matching the forbidden controls is the point
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

export function xmlText(s: string): string {
  return s.replace(INVALID_XML, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Attribute values also keep their line breaks and tabs (a parser would normalise them to spaces). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}
