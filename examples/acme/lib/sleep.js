// Shared by the routes that pretend to do slow work.
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Reads a positive number from the query string, falling back when absent or invalid.
export function numberParam(value, fallback) {
  const n = Number(Array.isArray(value) ? value[0] : value)
  return Number.isFinite(n) && n >= 0 ? n : fallback
}
