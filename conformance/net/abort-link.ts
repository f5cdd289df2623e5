// A request's own AbortController follows the caller's signal (a check's, which lives for the whole
// run). AbortSignal.any([deadline, caller]) did this, but on Node 20 each call leaves a WeakRef in
// the long-lived caller signal's set of dependants: one per request, ~10 MB over the 260,000
// requests of a 10,000-preview run (issue #14's memory goal). One listener per caller signal fans
// the abort out to the requests registered at that moment instead; a request unregisters when done.
const followers = new WeakMap<AbortSignal, Set<AbortController>>()

/** Abort `child` with `parent`'s reason when `parent` aborts; call the returned function once `child` is done. */
export function followAbort(parent: AbortSignal | undefined, child: AbortController): () => void {
  if (!parent) return () => {}
  if (parent.aborted) {
    child.abort(parent.reason)
    return () => {}
  }
  let set = followers.get(parent)
  if (!set) {
    const registered = new Set<AbortController>()
    parent.addEventListener('abort', () => {
      for (const c of registered) c.abort(parent.reason)
      registered.clear()
    }, { once: true })
    followers.set(parent, registered)
    set = registered
  }
  const own = set
  own.add(child)
  return () => { own.delete(child) }
}
