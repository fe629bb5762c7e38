// The route-secret template: a wrapped Next route answers 404 unless the request carries the
// secret, and 404 to everyone while the variable is unset. Run from test_templates.py (GUARD).
import assert from 'node:assert/strict'
import { test } from 'node:test'

const { withRouteSecret, hasRouteSecret, SECRET_HEADER } = await import(process.env.GUARD)

function call(handler, headers) {
  const seen = { status: 200, body: undefined }
  const res = {
    status(code) {
      seen.status = code
      return res
    },
    send(body) {
      seen.body = body
    },
  }
  handler({ headers }, res)
  return seen
}

const inner = (req, res) => {
  res.status(200).send('ran')
}

test('without the variable, every request gets 404', () => {
  delete process.env.MIGRATED_ROUTE_SECRET
  const guarded = withRouteSecret(inner)
  assert.deepEqual(call(guarded, {}), { status: 404, body: 'Not Found' })
  assert.deepEqual(call(guarded, { [SECRET_HEADER]: '' }), { status: 404, body: 'Not Found' })
  assert.equal(hasRouteSecret('anything', ''), false)
})

test('with the variable: the wrong secret gets 404, the right one runs the handler', () => {
  process.env.MIGRATED_ROUTE_SECRET = 'correct horse'
  try {
    const guarded = withRouteSecret(inner)
    assert.equal(call(guarded, { [SECRET_HEADER]: 'wrong' }).status, 404)
    assert.equal(call(guarded, { [SECRET_HEADER]: 'correct hors' }).status, 404)
    assert.equal(call(guarded, { [SECRET_HEADER]: ['correct horse'] }).status, 404)
    assert.deepEqual(call(guarded, { [SECRET_HEADER]: 'correct horse' }), { status: 200, body: 'ran' })
  } finally {
    delete process.env.MIGRATED_ROUTE_SECRET
  }
})
