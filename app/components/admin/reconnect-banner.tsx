import { Banner, Page, Text } from "@shopify/polaris";

export interface ReconnectBannerProps {
  shop: string;
  apiKey: string;
  /** ISO date the shop lost its connection. */
  since: string;
  reason: "revoked" | "unavailable";
  /** Asks the app to exchange the merchant's session token for a fresh offline token. */
  onReconnect(): void;
  /** @defaultValue false */
  reconnecting?: boolean;
}

/**
 * Shown on every admin page while Shopify will not give Affinity a working token for the shop.
 * Reconnect runs a fresh token exchange (app/routes/app.reconnect.tsx); if even that fails,
 * reinstalling does it.
 */
export function ReconnectBanner({ shop, apiKey, since, reason, onReconnect, reconnecting }: ReconnectBannerProps) {
  const day = new Date(since).toLocaleDateString("en", { dateStyle: "medium", timeZone: "UTC" });
  const reinstall = `https://${shop}/admin/oauth/install?client_id=${encodeURIComponent(apiKey)}`;
  return (
    // A page of its own above the route's page, so the banner lines up with the cards below it.
    <Page>
      <Banner
        tone="warning"
        title="Affinity needs to reconnect to your store"
        action={{ content: "Reconnect", onAction: onReconnect, loading: reconnecting }}
        secondaryAction={{ content: "Reinstall Affinity", url: reinstall, target: "_top" }}
      >
        <Text as="p">
          {reason === "revoked"
            ? `Since ${day}, Shopify has refused Affinity's access to your store's data.`
            : `Since ${day}, Shopify has not renewed Affinity's access to your store's data.`}{" "}
          Syncing your catalog and orders and training the model are paused; nothing is lost, and they resume once
          Affinity is connected. Choose Reconnect; if this message stays, reinstall Affinity from the link.
        </Text>
      </Banner>
    </Page>
  );
}
