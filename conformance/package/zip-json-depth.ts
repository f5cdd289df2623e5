// JSON.parse recurses per nesting level, so `[[[[…]]]]` 100,000 deep throws RangeError (or worse,
// burns the stack of whatever shares it). This scanner walks the text once, iteratively, and
// refuses before JSON.parse ever sees it. It does not validate JSON; JSON.parse does that next.

/** Deepest array/object nesting reached, or `limit + 1` as soon as the limit is exceeded. */
export function jsonNestingDepth(text: string, limit: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c /* \ */) i++
      else if (c === 0x22 /* " */) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++
      if (depth > deepest) {
        deepest = depth
        if (deepest > limit) return deepest
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth > 0) depth--
    }
  }
  return deepest
}
