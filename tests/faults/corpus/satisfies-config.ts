type RouteConfig = { type: 'experimental-background' | 'experimental-scheduled'; schedule?: string }

export const config = {
  type: 'experimental-scheduled',
  schedule: '30 4 * * 1-5',
} satisfies RouteConfig

export default async function handler(_req: unknown, res: { status(n: number): { end(): void } }) {
  res.status(200).end()
}
