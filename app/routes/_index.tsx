import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

// Shopify opens the app URL with ?shop=…; send it into the embedded admin. Anyone else gets the
// login page, where a merchant can type their shop domain to install.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  throw redirect("/auth/login");
};
