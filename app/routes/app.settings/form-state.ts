import type { ProductSummary } from "../../lib/admin/products.server";
import type { SettingsForm } from "../../lib/settings/form";
import type { PickedItem } from "./picker-field";

/** The settings page's editable state: the form, with picked products and collections shown by name. */
export interface FormState extends Omit<
  SettingsForm,
  "excludedProductIds" | "excludedCollections" | "pinnedProductIds"
> {
  excludedProducts: PickedItem[];
  excludedCollections: PickedItem[];
  pinnedProducts: PickedItem[];
}

const item = (products: Record<string, ProductSummary>, id: string): PickedItem => ({
  id,
  title: products[id]?.title ?? `Product ${id} (no longer in the catalog)`,
  imageUrl: products[id]?.imageUrl ?? null,
});

export function toState(form: SettingsForm, products: Record<string, ProductSummary>): FormState {
  const { excludedProductIds, excludedCollections, pinnedProductIds, ...rest } = form;
  return {
    ...rest,
    excludedProducts: excludedProductIds.map((id) => item(products, id)),
    excludedCollections: excludedCollections.map((c) => ({ id: c.id, title: c.title, imageUrl: null })),
    pinnedProducts: pinnedProductIds.map((id) => item(products, id)),
  };
}

/** What the action receives: ids, and collections with the titles to remember. */
export function toForm(state: FormState): SettingsForm {
  const { excludedProducts, excludedCollections, pinnedProducts, ...rest } = state;
  return {
    ...rest,
    excludedProductIds: excludedProducts.map((p) => p.id),
    excludedCollections: excludedCollections.map((c) => ({ id: c.id, title: c.title })),
    pinnedProductIds: pinnedProducts.map((p) => p.id),
  };
}
