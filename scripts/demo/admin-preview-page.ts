const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The top frame: a strip saying what this is, and the app in an iframe as the admin embeds it. */
export function adminPreviewPage(options: { shop: string; frame: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Affinity admin preview: ${escape(options.shop)}</title>
<style>
  html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; background: #f1f1f1; }
  body { display: flex; flex-direction: column; }
  header { padding: 8px 16px; background: #1a1a1a; color: #e3e3e3; display: flex; gap: 12px; align-items: baseline; }
  header strong { color: #fff; }
  header span { opacity: .75; }
  iframe { flex: 1; border: 0; width: 100%; background: #fff; }
</style>
</head>
<body>
<header><strong>Affinity</strong><span>admin preview of ${escape(options.shop)}: development only, played locally in place of the Shopify admin</span></header>
<iframe src="${escape(options.frame)}" title="Affinity"></iframe>
</body>
</html>
`;
}
