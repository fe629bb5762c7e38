// Netlify background function: the -background suffix makes it one.
import sharp from 'sharp'
import { getStore } from '@netlify/blobs'

export default async (req) => {
  const { key, width = 800 } = await req.json()
  const store = getStore('uploads')
  const input = await store.get(key, { type: 'arrayBuffer' })
  const output = await sharp(Buffer.from(input)).resize({ width }).webp().toBuffer()
  await store.set(`${key}.${width}.webp`, output)
}
