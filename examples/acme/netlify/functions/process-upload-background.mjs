// Netlify background function (v2 syntax): background because the file name ends in
// "-background". The caller gets 202 at once; the work continues for up to 15 min. With
// `?fail=1` it throws after the first chunk, as a failing upload would (the platform retries it).
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export default async (req) => {
  const body = req.method === 'POST' ? await req.text() : ''
  const fail = new URL(req.url).searchParams.get('fail') === '1'
  console.log(`process-upload-background: start bytes=${body.length}`)
  for (let step = 1; step <= 3; step++) {
    await sleep(500)
    console.log(`process-upload-background: chunk ${step}/3 scanned`)
    if (fail) throw new Error('process-upload-background: the upload is corrupt')
  }
  console.log('process-upload-background: done')
}
