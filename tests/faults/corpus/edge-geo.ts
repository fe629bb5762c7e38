import { NextRequest } from 'next/server'

export const config = {
  runtime: 'edge',
  regions: ['fra1'],
}

export default function handler(req: NextRequest) {
  return new Response(JSON.stringify({ country: req.geo?.country ?? 'unknown' }), {
    headers: { 'content-type': 'application/json' },
  })
}
