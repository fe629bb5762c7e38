// A helper that lives under pages/api (so it is a route too, answering 404 by itself).
export function formatCount(n) {
  return `${n} item${n === 1 ? '' : 's'}`
}

export default function handler(req, res) {
  res.status(404).end()
}
