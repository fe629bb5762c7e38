import { prisma } from '../../lib/prisma'

export const config = {
  type: 'experimental-background',
}

/** Pulls the whole catalogue; takes minutes, so it runs in the background. */
export default async function importProducts(req, res) {
  const { since = null } = req.body ?? {}
  let page = 0
  for (;;) {
    const batch = await fetch(`${process.env.PIM_URL}/products?page=${page}&since=${since}`).then((r) => r.json())
    if (!batch.items?.length) break
    await prisma.product.createMany({ data: batch.items, skipDuplicates: true })
    page += 1
  }
  res.status(200).json({ pages: page })
}
