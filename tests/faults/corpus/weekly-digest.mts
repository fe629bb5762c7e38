import type { Config, Context } from '@netlify/functions'

export default async (req: Request, context: Context) => {
  const { next_run } = await req.json()
  console.log('Received event! Next invocation at:', next_run)
  return new Response('ok')
}

export const config: Config = {
  schedule: '@weekly',
}
