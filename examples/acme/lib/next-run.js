// The platform invokes a scheduled route with POST and a JSON body {"next_run": "<ISO UTC>"}.
// Next parses the body only when the content-type says JSON, so accept a raw string too.
export function nextRunOf(req) {
  let body = req.body
  if (typeof body === 'string' && body.trim() !== '') {
    try {
      body = JSON.parse(body)
    } catch {
      return null
    }
  }
  return body && typeof body === 'object' && typeof body.next_run === 'string' ? body.next_run : null
}
