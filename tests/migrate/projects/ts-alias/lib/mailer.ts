// Imported through the tsconfig path alias `@/lib/*`.
export async function sendDigest(to: string[]): Promise<number> {
  console.log(`mailer: digest to ${to.join(',')}`)
  return to.length
}
