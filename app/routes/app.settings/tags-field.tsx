import { useState } from "react";
import { BlockStack, Button, InlineStack, Tag, TextField } from "@shopify/polaris";

/** Product tags typed by the merchant; Enter or "Add" adds, each tag's × removes it. */
export function TagsField(props: { tags: string[]; onChange: (tags: string[]) => void; error?: string }) {
  const [draft, setDraft] = useState("");
  const add = () => {
    // A pasted "a, b, c" becomes three tags, as Shopify's own tag fields do.
    const added = draft
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    if (added.length === 0) return;
    const lower = new Set(props.tags.map((t) => t.toLowerCase()));
    props.onChange([...props.tags, ...added.filter((t) => !lower.has(t.toLowerCase()))]);
    setDraft("");
  };
  return (
    <BlockStack gap="200">
      <div
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            add();
          }
        }}
      >
        <TextField
          label="Product tags"
          helpText="Products with any of these tags are never recommended. Case does not matter."
          value={draft}
          onChange={setDraft}
          autoComplete="off"
          error={props.error}
          connectedRight={<Button onClick={add}>Add</Button>}
        />
      </div>
      {props.tags.length > 0 ? (
        <InlineStack gap="200">
          {props.tags.map((tag) => (
            <Tag key={tag} onRemove={() => props.onChange(props.tags.filter((t) => t !== tag))}>
              {tag}
            </Tag>
          ))}
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}
