/**
 * Step 5 of the demo: a local storefront page that renders the real theme block through a
 * signing proxy imitating the App Proxy. Waits for the App Proxy recommendations route.
 */
export async function previewStorefront(): Promise<{ url: string | null; message: string }> {
  return { url: null, message: "storefront preview: not yet available" };
}
