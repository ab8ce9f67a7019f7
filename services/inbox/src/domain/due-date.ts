/**
 * A document's due date (hạn xử lý) is a calendar day in Viet Nam: the work is due by the end of
 * that day in Indochina Time (UTC+7, no daylight saving), wherever the server runs.
 */
export function dueAtOf (dueDate: string | undefined): Date | null {
  if (dueDate === undefined) return null
  return new Date(`${dueDate}T23:59:59.999+07:00`)
}

/** Open and past its due time. */
export function isOverdue (file: { dueAt: Date | null, closedAt: Date | null }, now = new Date()): boolean {
  return file.closedAt === null && file.dueAt !== null && file.dueAt.getTime() < now.getTime()
}

/** Closed after its due time. */
export function closedLate (file: { dueAt: Date | null, closedAt: Date | null }): boolean {
  return file.closedAt !== null && file.dueAt !== null && file.closedAt.getTime() > file.dueAt.getTime()
}
