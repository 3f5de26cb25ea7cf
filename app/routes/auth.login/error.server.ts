import { LoginErrorType } from "@shopify/shopify-app-remix/server";

interface LoginErrors {
  shop?: string;
}

/** Turns the library's login error codes into words a merchant understands. */
export function loginErrorMessage(loginErrors: unknown): LoginErrors {
  const shop = (loginErrors as { shop?: LoginErrorType } | undefined)?.shop;
  if (shop === LoginErrorType.MissingShop) return { shop: "Please enter your shop domain to log in" };
  if (shop === LoginErrorType.InvalidShop) return { shop: "Please enter a valid shop domain to log in" };
  return {};
}
