import type { RedisClient } from "../redis.server";
import { shopKey } from "./keys";
import type { Db } from "../database/client.server";
import { cardFromProduct, type StoredCard } from "./card";
import { catalogSelect, readCatalogProducts } from "./catalog-read.server";

const cardsKey = (prefix: string, shop: string) => shopKey(prefix, shop, "cards");
const BATCH = 200;

/*
 * Each field holds "<version>|<card JSON>". The script writes a card only if it is at least as
 * new as the stored one: two workers refreshing one product can finish in either order, and the
 * older read must not win.
 */
const WRITE_IF_NEWER = `
for i = 1, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local stored = current and tonumber(string.match(current, '^(%d+)|')) or -1
  if tonumber(ARGV[i + 1]) >= stored then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 2])
  end
end
return 1`;

export async function writeCards(redis: RedisClient, prefix: string, shop: string, cards: StoredCard[]): Promise<void> {
  for (let i = 0; i < cards.length; i += BATCH) {
    const args = cards.slice(i, i + BATCH).flatMap((card) => [card.id, String(card.version), JSON.stringify(card)]);
    await redis.eval(WRITE_IF_NEWER, 1, cardsKey(prefix, shop), ...args);
  }
}

export function parseCard(value: string | null | undefined): StoredCard | null {
  if (!value) return null;
  try {
    return JSON.parse(value.slice(value.indexOf("|") + 1)) as StoredCard;
  } catch {
    return null;
  }
}

/** The stored text of these products' cards, in the order of `ids` (null where there is none). */
export function readRawCards(redis: RedisClient, prefix: string, shop: string, ids: string[]) {
  return redis.hmget(cardsKey(prefix, shop), ...ids);
}

/** The cards of these products that exist, keyed by product id. */
export async function readCards(redis: RedisClient, prefix: string, shop: string, ids: string[]) {
  const cards = new Map<string, StoredCard>();
  if (ids.length === 0) return cards;
  const values = await readRawCards(redis, prefix, shop, ids);
  values.forEach((value, i) => {
    const card = parseCard(value);
    if (card) cards.set(ids[i]!, card);
  });
  return cards;
}

/** Rebuilds the cards of some products from the database (after a products webhook). */
export async function refreshCards(
  db: Db,
  redis: RedisClient,
  prefix: string,
  shop: string,
  shopId: string,
  ids: string[],
) {
  const products = await readCatalogProducts(db, shopId, ids);
  await writeCards(redis, prefix, shop, products.map(cardFromProduct));
}

/** Rebuilds every card of a shop (after a backfill, or when Redis lost them). Returns the count. */
export async function rebuildAllCards(db: Db, redis: RedisClient, prefix: string, shop: string, shopId: string) {
  let cursor: string | undefined;
  let count = 0;
  for (;;) {
    const products = await db.product.findMany({
      where: { shopId },
      select: { ...catalogSelect, id: true },
      orderBy: { id: "asc" },
      take: BATCH,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
    });
    if (products.length === 0) return count;
    await writeCards(redis, prefix, shop, products.map(cardFromProduct));
    count += products.length;
    cursor = products[products.length - 1]!.id;
  }
}
