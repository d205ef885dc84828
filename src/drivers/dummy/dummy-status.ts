// The driver core's status_buf is 256 bytes and status_set appends with snprintfcat, which stops
// at 254 bytes (observed on the 2.8.0 binary)
const STATUS_MAX = 254

/**
 * The status word the driver core builds from `status_set(word)` calls: words joined with single
 * spaces, no re-ordering, no de-duplication (`OB LB OL LB` stays as it is), and — unlike
 * usbhid-ups — never an `ALARM` prefix, since dummy-ups does not use the alarm API even when
 * `ups.alarm` is set. An empty word adds nothing at the start but a trailing space later
 * (`"" OB` → `OB`, `OL ""` → `OL `).
 */
export function joinStatusWords(words: readonly string[]): string {
  let status = ""
  for (const word of words) {
    const piece = status.length > 0 ? ` ${word}` : word
    const room = STATUS_MAX - status.length
    if (room <= 0) break
    status += piece.slice(0, room)
  }
  return status
}
