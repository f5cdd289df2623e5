// A document several checks share is kept until the last of them is done with it (issue #14: with
// every course measured, a run held every course's preview document to the end). Each reader says
// `done(key)` once per key; after `readers` such calls the key is dropped. A reader that never gets
// to a key (a failing check ends early) leaves it kept, which costs memory, never a wrong answer:
// a read after the drop fetches the document again.
export function lastReader(readers: number, drop: (key: string) => void): (key: string) => void {
  const seen = new Map<string, number>()
  return (key) => {
    const n = (seen.get(key) ?? 0) + 1
    if (n < readers) {
      seen.set(key, n)
      return
    }
    seen.delete(key)
    drop(key)
  }
}
