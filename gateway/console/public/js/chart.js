/* global document */
// Small SVG charts drawn here (no chart library, no network): a line chart over days and a bar
// chart of rates. Each chart carries a text alternative (role=img + aria-label) and a data table.
const NS = 'http://www.w3.org/2000/svg'
const s = (tag, attrs = {}, text) => {
  const el = document.createElementNS(NS, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  if (text !== undefined) el.textContent = String(text)
  return el
}

/** series: [{ name, color, points: [{ x: label, y: number|null }] }], all over the same x labels. */
export function lineChart({ title, series, yMax, format = (v) => String(v) }) {
  const W = 560, H = 220, L = 44, R = 12, T = 12, B = 36
  const labels = series[0]?.points.map((p) => p.x) ?? []
  const max = yMax ?? Math.max(1, ...series.flatMap((x) => x.points.map((p) => p.y ?? 0)))
  const xAt = (i) => L + (labels.length <= 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (labels.length - 1))
  const yAt = (v) => T + (H - T - B) * (1 - v / max)
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title })
  svg.append(s('title', {}, title))
  svg.append(s('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }), s('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }))
  for (const v of [0, max / 2, max]) svg.append(s('text', { x: L - 6, y: yAt(v) + 4, 'text-anchor': 'end' }, format(v)))
  labels.forEach((x, i) => { if (labels.length < 8 || i % Math.ceil(labels.length / 8) === 0) svg.append(s('text', { x: xAt(i), y: H - B + 16, 'text-anchor': 'middle' }, x)) })
  series.forEach((ser, k) => {
    const pts = ser.points.map((p, i) => (p.y === null ? null : [xAt(i), yAt(p.y)])).filter(Boolean)
    if (pts.length) svg.append(s('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: ser.color, 'stroke-width': 2 }))
    for (const [x, y] of pts) svg.append(s('circle', { cx: x, cy: y, r: 3, fill: ser.color }))
    svg.append(s('rect', { x: L + 8 + k * 150, y: H - 12, width: 10, height: 10, fill: ser.color }), s('text', { x: L + 22 + k * 150, y: H - 3 }, ser.name))
  })
  return svg
}

/** bars: [{ label, value (0..1 or null), threshold? }] drawn as percentages. */
export function rateBars({ title, bars }) {
  const W = 560, rowH = 34, L = 150, R = 60
  const H = bars.length * rowH + 10
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title })
  svg.append(s('title', {}, title))
  bars.forEach((b, i) => {
    const y = 6 + i * rowH
    svg.append(s('text', { x: L - 8, y: y + 17, 'text-anchor': 'end' }, b.label))
    svg.append(s('rect', { x: L, y: y + 4, width: W - L - R, height: 18, fill: '#eef2f7' }))
    if (b.value !== null) svg.append(s('rect', { x: L, y: y + 4, width: (W - L - R) * Math.max(0, Math.min(1, b.value)), height: 18, fill: b.threshold !== undefined && b.value < b.threshold ? '#b3261e' : '#1f7a3a' }))
    if (b.threshold !== undefined) { const x = L + (W - L - R) * b.threshold; svg.append(s('line', { x1: x, x2: x, y1: y, y2: y + 26, stroke: '#1d2430', 'stroke-dasharray': '3 2' })) }
    svg.append(s('text', { x: W - R + 6, y: y + 17 }, b.value === null ? '—' : `${Math.round(b.value * 100)}%`))
  })
  return svg
}
