/**
 * The tracking ids a fresh upsd 2.8.0 issues. upsd never seeds glibc's rand(), so every process
 * produces the same sequence; replaying fixtures/nut-wire/03 byte for byte needs it. Each UUID
 * byte is the low byte of the sum of the low bytes of two rand() results, with the v4 and variant
 * bits set (derived by comparing the recorded ids against glibc's rand() sequence for seed 1).
 */
export function upsdTrackingIds(): () => string {
  const rand = glibcRandom(1)
  return () => {
    const b: number[] = []
    for (let i = 0; i < 16; i++) b.push(((rand() & 0xff) + (rand() & 0xff)) & 0xff)
    b[6] = ((b[6] as number) & 0x0f) | 0x40
    b[8] = ((b[8] as number) & 0x3f) | 0x80
    const hex = b.map((x) => x.toString(16).toUpperCase().padStart(2, "0")).join("")
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}

/** glibc's default random(): additive feedback generator, TYPE_3 (degree 31, separation 3). */
export function glibcRandom(seed: number): () => number {
  const r: number[] = [seed | 0]
  for (let i = 1; i < 31; i++) {
    // Park–Miller "minimal standard" initialisation, computed without overflow
    const hi = Math.trunc((r[i - 1] as number) / 127773)
    const lo = (r[i - 1] as number) % 127773
    let word = 16807 * lo - 2836 * hi
    if (word < 0) word += 2147483647
    r.push(word)
  }
  for (let i = 31; i < 34; i++) r.push(r[i - 31] as number)
  for (let i = 34; i < 344; i++) r.push(((r[i - 31] as number) + (r[i - 3] as number)) | 0)
  let k = r.length
  return () => {
    const v = ((r[k - 31] as number) + (r[k - 3] as number)) | 0
    r.push(v)
    k++
    if (r.length > 4096) {
      r.splice(0, r.length - 64)
      k = r.length
    }
    return v >>> 1
  }
}
