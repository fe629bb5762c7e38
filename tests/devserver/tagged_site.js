// A dev server for the run-tag tests: each request prints lines that name it (?who=), some of
// them after it answered; ?wait=ms delays the answer. Listens on $PORT like `next dev`.
const http = require('node:http')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost')
    const who = url.searchParams.get('who') || '-'
    const wait = Number(url.searchParams.get('wait') || '0')
    console.log(`${who}: start`)
    for (let step = 1; step <= 3; step++) {
      await sleep(wait / 3)
      process.stdout.write(`${who}: step ${step}/3`)
      process.stdout.write('\n')
    }
    console.error(`${who}: on stderr`)
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ who }))
    setTimeout(() => console.log(`${who}: late line`), Number(url.searchParams.get('late') || '30'))
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('tagged site ready'))
