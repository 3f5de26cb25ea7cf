// Shared with the demo's storefront preview: the code lives in dev/storefront.
export * from "../../../dev/storefront/render-block";
