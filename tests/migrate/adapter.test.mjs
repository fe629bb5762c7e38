// The next-api-adapter template against Next's own API route resolver: each case runs one
// handler behind Next 13.4's `apiResolver` (on a real HTTP server) and through the adapter (as
// a Netlify function), and compares what the handler saw and what the caller got.
//
// Run from tests/migrate/test_adapter.py: ADAPTER is the rendered adapter (.mjs), NEXT_FROM a
// folder whose node_modules holds next (the example site).
import assert from 'node:assert/strict'
import http from 'node:http'
import { createRequire } from 'node:module'
import querystring from 'node:querystring'
import { after, before, describe, test } from 'node:test'

const adapter = await import(process.env.ADAPTER)
const requireFromSite = createRequire(`${process.env.NEXT_FROM}/package.json`)
const { apiResolver } = requireFromSite('next/dist/server/api-utils/node.js')

const PREVIEW = { previewModeId: 'x'.repeat(16), previewModeEncryptionKey: '', previewModeSigningKey: '' }
const COMPARED_HEADERS = ['content-type', 'location', 'set-cookie', 'x-custom']

let current // { handler, config } of the case being run through Next
const server = http.createServer((req, res) => {
  const query = querystring.parse(new URL(req.url, 'http://localhost').search.slice(1))
  const module = { default: current.handler, config: current.config }
  apiResolver(req, res, query, module, PREVIEW, false, false, '/api/case')
})

let base
before(async () => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
})
after(() => server.close())

function seen(req) {
  const { method, url, query, cookies, body } = req
  return { method, url, query: { ...query }, cookies: { ...cookies }, body, custom: req.headers['x-in'] }
}

async function outcome(response) {
  const headers = {}
  for (const name of COMPARED_HEADERS) {
    const value = name === 'set-cookie' ? response.headers.getSetCookie() : response.headers.get(name)
    if (value !== null && !(Array.isArray(value) && value.length === 0)) headers[name] = value
  }
  return { status: response.status, headers, body: await response.text() }
}

// Runs `handler` both ways; returns { next, adapter }, each { saw, got }.
async function both(handler, init = {}, { path = '/api/case', config = {} } = {}) {
  const views = {}
  const recording = (key) => (req, res) => {
    views[key] = seen(req)
    return handler(req, res)
  }
  current = { handler: recording('next'), config }
  const viaNext = await outcome(await fetch(base + path, { redirect: 'manual', ...init }))
  const fn = adapter.nextApiHandler(recording('adapter'), config)
  const viaAdapter = await outcome(await fn(new Request(base + path, init), { params: {} }))
  return { next: { saw: views.next, got: viaNext }, adapter: { saw: views.adapter, got: viaAdapter } }
}

function assertSame(result) {
  assert.deepEqual(result.adapter.saw, result.next.saw, 'what the handler saw')
  assert.deepEqual(result.adapter.got, result.next.got, 'what the caller got')
}

const echo = (req, res) => res.status(200).json({ body: req.body ?? null })

describe('the request, as Next gives it', () => {
  test('method, url, repeated query keys, cookies, headers', async () => {
    const result = await both(echo, { headers: { cookie: 'a=1; b=%20two', 'x-in': 'yes' } }, { path: '/api/case?x=1&x=2&y=' })
    assertSame(result)
    assert.deepEqual(result.adapter.saw.query, { x: ['1', '2'], y: '' })
  })

  test('a JSON body', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"next_run":"2026-12-02T07:00:00.000Z"}' }
    const result = await both(echo, init)
    assertSame(result)
    assert.deepEqual(result.adapter.saw.body, { next_run: '2026-12-02T07:00:00.000Z' })
  })

  test('an empty JSON body is {}', async () => {
    const result = await both(echo, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' })
    assertSame(result)
    assert.deepEqual(result.adapter.saw.body, {})
  })

  test('a form body (urlencoded)', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&a=2&b=x%20y' }
    const result = await both(echo, init)
    assertSame(result)
    assert.deepEqual({ ...result.adapter.saw.body }, { a: ['1', '2'], b: 'x y' })
  })

  test('a text body, and a body with no content type, stay strings', async () => {
    assertSame(await both(echo, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }))
    const none = await both(echo, { method: 'POST', body: new Uint8Array(Buffer.from('{"a":1}')) })
    assertSame(none)
    assert.equal(none.adapter.saw.body, '{"a":1}')
  })

  test('a GET has the empty string as its body', async () => {
    const result = await both(echo)
    assertSame(result)
    assert.equal(result.adapter.saw.body, '')
  })

  test('invalid JSON answers 400 and the handler is not called', async () => {
    const result = await both(echo, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' })
    assert.deepEqual(result.adapter.got, result.next.got)
    assert.equal(result.adapter.got.status, 400)
    assert.equal(result.adapter.saw, undefined)
    assert.equal(result.next.saw, undefined)
  })

  test('a body over 1mb answers 413; config.api.bodyParser.sizeLimit moves the limit', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1)
    const init = { method: 'POST', headers: { 'content-type': 'text/plain' }, body: big }
    const result = await both(echo, init)
    assert.deepEqual(result.adapter.got, result.next.got)
    assert.equal(result.adapter.got.status, 413)
    assert.equal(result.adapter.got.body, 'Body exceeded 1mb limit')
    const small = await both(echo, { method: 'POST', body: 'x'.repeat(20) }, { config: { api: { bodyParser: { sizeLimit: '10b' } } } })
    assert.deepEqual(small.adapter.got, small.next.got)
    assert.equal(small.adapter.got.status, 413)
  })

  test('bodyParser: false leaves the body undefined', async () => {
    const result = await both(echo, { method: 'POST', body: 'raw' }, { config: { api: { bodyParser: false } } })
    assertSame(result)
    assert.equal(result.adapter.saw.body, undefined)
  })
})

describe('the response, as Next sends it', () => {
  const cases = {
    'status().json()': (req, res) => res.status(201).json({ ok: true, n: 1 }),
    'send(string)': (req, res) => res.send('plain words'),
    'send(object)': (req, res) => res.send({ a: [1, 2] }),
    'send(number)': (req, res) => res.send(42),
    'send(Buffer)': (req, res) => res.send(Buffer.from('bytes')),
    'send with a content type set first': (req, res) => res.setHeader('Content-Type', 'text/csv').send('a,b'),
    'a 204 drops the body': (req, res) => res.status(204).send('ignored'),
    'setHeader with an array (set-cookie)': (req, res) => {
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/'])
      res.setHeader('X-Custom', 'yes')
      res.end('done')
    },
    'redirect(url) is a 307': (req, res) => res.redirect('/elsewhere'),
    'redirect(status, url)': (req, res) => res.redirect(301, 'https://example.com/'),
    'writeHead, write, end': (req, res) => {
      res.writeHead(202, { 'X-Custom': 'w' })
      res.write('one ')
      res.end('two')
    },
    'statusCode set directly, then end()': (req, res) => {
      res.statusCode = 418
      res.end()
    },
    'an async handler that answers after awaiting': async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      res.status(200).json({ late: true })
    },
  }
  for (const [name, handler] of Object.entries(cases)) {
    test(name, async () => assertSame(await both(handler)))
  }
})

describe('the response is an event emitter, as Node\'s is', () => {
  test("'finish' and 'close' fire after end(), both ways", async () => {
    const events = []
    const result = await both((req, res) => {
      res.on('finish', () => events.push('finish'))
      res.on('close', () => events.push('close'))
      res.setHeader('X-Custom', res.getHeaderNames().length === 0 ? 'none-yet' : 'some')
      res.end('bye')
    })
    assertSame(result)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(events, ['finish', 'close', 'finish', 'close'])
  })
})

describe('what the adapter does differently, on purpose', () => {
  test('an error the handler throws is thrown on (the platform records a failure)', async () => {
    const fn = adapter.nextApiHandler(() => {
      throw new Error('boom')
    })
    await assert.rejects(fn(new Request(`${base}/x`), {}), /boom/)
  })

  test('a handler that sends nothing: Next warns as it does, the function answers 200, empty', async () => {
    const warnings = []
    const original = console.warn
    console.warn = (line) => warnings.push(line)
    try {
      const fn = adapter.nextApiHandler(() => {})
      const response = await fn(new Request(`${base}/api/quiet?a=1`), {})
      assert.equal(response.status, 200)
      assert.equal(await response.text(), '')
    } finally {
      console.warn = original
    }
    assert.deepEqual(warnings, ['API resolved without sending a response for /api/quiet?a=1, this may result in stalled requests.'])
  })

  test('route parameters from the context join the query', async () => {
    let query
    const fn = adapter.nextApiHandler((req, res) => {
      query = req.query
      res.end()
    })
    await fn(new Request(`${base}/x?id=1&y=2`), { params: { id: '42' } })
    assert.deepEqual({ ...query }, { id: '42', y: '2' })
  })

  test('res.revalidate says that it is Next-only', async () => {
    const fn = adapter.nextApiHandler(async (req, res) => res.revalidate('/posts'))
    await assert.rejects(fn(new Request(`${base}/x`), {}), /res\.revalidate is a Next\.js API/)
  })

  test('parseSizeLimit reads what the bytes package reads', () => {
    assert.equal(adapter.parseSizeLimit('1mb'), 1048576)
    assert.equal(adapter.parseSizeLimit('500kb'), 512000)
    assert.equal(adapter.parseSizeLimit('1.5MB'), 1572864)
    assert.equal(adapter.parseSizeLimit(2048), 2048)
    assert.throws(() => adapter.parseSizeLimit('lots'))
  })
})

describe('callNextRoute: the function that asks a Next route to do the work', () => {
  let routeServer
  let routeBase
  const received = []
  before(async () => {
    routeServer = http.createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        received.push({ url: req.url, method: req.method, secret: req.headers['x-migrated-route-secret'], body })
        res.statusCode = req.url.startsWith('/api/fails') ? 500 : 200
        res.end('from next')
      })
    })
    await new Promise((resolve) => routeServer.listen(0, '127.0.0.1', resolve))
    routeBase = `http://127.0.0.1:${routeServer.address().port}`
  })
  after(() => routeServer.close())

  test('it forwards method, query and body with the secret header', async () => {
    process.env.MIGRATED_ROUTE_SECRET = 's3cret'
    process.env.MIGRATED_ROUTE_BASE_URL = routeBase
    try {
      const fn = adapter.callNextRoute('/api/revalidate-posts')
      const response = await fn(new Request('http://functions.local/.netlify/functions/r?a=1', { method: 'POST', body: '{"next_run":"x"}' }), {})
      assert.equal(response.status, 200)
      assert.equal(await response.text(), 'from next')
      assert.deepEqual(received.at(-1), { url: '/api/revalidate-posts?a=1', method: 'POST', secret: 's3cret', body: '{"next_run":"x"}' })
      await assert.rejects(adapter.callNextRoute('/api/fails')(new Request('http://f.local/x'), {}), /answered 500/)
    } finally {
      delete process.env.MIGRATED_ROUTE_SECRET
      delete process.env.MIGRATED_ROUTE_BASE_URL
    }
  })

  test('without the secret variable it refuses to run, and says which variable', async () => {
    await assert.rejects(adapter.callNextRoute('/api/x')(new Request('http://f.local/x'), {}), /set MIGRATED_ROUTE_SECRET/)
  })
})
