// Netlify function (v2 syntax) that sleeps `?seconds=` (default 15), logging each second: it runs
// past the 10 s synchronous deadline.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export default async (req) => {
  const seconds = Number(new URL(req.url).searchParams.get('seconds') ?? 15)
  console.log(`slow-export: start, ${seconds} s`)
  for (let s = 1; s <= seconds; s++) {
    await sleep(1000)
    console.log(`slow-export: ${s}/${seconds} s`)
  }
  console.log('slow-export: done')
  return Response.json({ seconds })
}
