// Both engines report a unique/primary-key conflict with their own error shape; callers that
// treat a conflict as a domain outcome (a replayed nonce, a duplicate key) test it here.
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const code = (err as { code?: unknown }).code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}
