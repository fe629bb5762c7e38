// Shared by the job routes: a pretend queue.
export function takeJob(id) {
  return { id, steps: 2 }
}
