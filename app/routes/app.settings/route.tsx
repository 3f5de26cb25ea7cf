import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useMemo, useState } from "react";
import { Banner, BlockStack, Button, Divider, InlineStack, Layout, Page } from "@shopify/polaris";
import { SaveBar, TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "../../shopify.server";
import { themeEditorLink } from "../../lib/admin/onboarding";
import { adminContext, orNotFound } from "../../admin-context.server";
import { loadSettingsPage, saveShopSettings } from "../../lib/admin/settings.server";
import type { FieldErrors } from "../../lib/settings/form";
import { toForm, toState, type FormState } from "./form-state";
import {
  BlockSection,
  ExclusionsSection,
  ExperimentSection,
  PinnedSection,
  ProductsSection,
  TrainingSection,
} from "./sections";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const ctx = adminContext(session);
  const page = await orNotFound(loadSettingsPage(ctx, session.shop));
  return {
    ...page,
    themeEditorUrl: themeEditorLink(session.shop, ctx.apiKey),
    trainAfterOrders: ctx.trainAfterOrders,
  };
};

export type SettingsActionResult = { ok: true; errors?: undefined } | { ok: false; errors: FieldErrors };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const input: unknown = await request.json().catch(() => null);
  const ctx = adminContext(session);
  const result = await orNotFound(saveShopSettings({ ...ctx, systemQueue: ctx.systemQueue() }, session.shop, input));
  // 422 also keeps Remix from reloading the page's data, which would wipe the merchant's edits.
  if (!result.ok) return data<SettingsActionResult>({ ok: false, errors: result.errors }, { status: 422 });
  return data<SettingsActionResult>({ ok: true });
};

export default function SettingsPage() {
  const { form, products, repeatRate, themeEditorUrl, trainAfterOrders } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submit = useSubmit();
  const navigation = useNavigation();
  const saved = useMemo(() => toState(form, products), [form, products]);
  const [state, setState] = useState<FormState>(saved);
  const [showSaved, setShowSaved] = useState(false);

  // After a successful save the loader runs again; its data becomes the new clean state.
  useEffect(() => setState(saved), [saved]);
  useEffect(() => setShowSaved(result?.ok === true), [result]);

  const dirty = JSON.stringify(state) !== JSON.stringify(saved);
  const saving = navigation.state === "submitting";
  const errors = result?.ok === false ? result.errors : {};
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setShowSaved(false);
    setState((current) => ({ ...current, [key]: value }));
  };
  const save = () => submit(JSON.stringify(toForm(state)), { method: "post", encType: "application/json" });
  const props = { state, set, errors };

  return (
    <Page>
      <TitleBar title="Settings" />
      <SaveBar id="affinity-settings-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={saving}></button>
        <button onClick={() => setState(saved)}></button>
      </SaveBar>
      <BlockStack gap="500">
        {showSaved && !dirty ? (
          <Banner tone="success" title="Settings saved. The storefront uses them from now on." />
        ) : null}
        {Object.keys(errors).length > 0 ? (
          <Banner tone="critical" title="Some settings need a change before they can be saved.">
            {errors.form ?? "See the fields marked below."}
          </Banner>
        ) : null}
        <Layout>
          <BlockSection {...props} themeEditorUrl={themeEditorUrl} />
          <ProductsSection {...props} repeat={repeatRate} />
          <ExclusionsSection {...props} />
          <PinnedSection {...props} />
          <ExperimentSection {...props} />
          <TrainingSection {...props} trainAfterOrders={trainAfterOrders} />
        </Layout>
        <Divider />
        <InlineStack align="end" gap="200">
          <Button onClick={() => setState(saved)} disabled={!dirty}>
            Discard changes
          </Button>
          <Button variant="primary" onClick={save} loading={saving} disabled={!dirty}>
            Save
          </Button>
        </InlineStack>
      </BlockStack>
    </Page>
  );
}
