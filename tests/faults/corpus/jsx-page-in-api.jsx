// Someone put a component under pages/api.
export default function Preview({ html }) {
  return <div dangerouslySetInnerHTML={{ __html: html }} />
}
export const config = { type: 'experimental-background' }
