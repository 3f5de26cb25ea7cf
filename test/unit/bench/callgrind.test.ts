import { describe, expect, it } from "vitest";
import { inclusiveOf } from "../../../bench/callgrind";

// A shortened `callgrind_annotate --inclusive=yes` listing, in the shape valgrind 3.19 prints.
const annotated = `--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
595,323,887 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                    file:function
--------------------------------------------------------------------------------
199,641,876 (33.53%)  ???:v8::internal::Compiler::CompileOptimized(v8::internal::Isolate*, v8::internal::Handle<v8::internal::JSFunction>, v8::internal::ConcurrencyMode, v8::internal::CodeKind) [/usr/bin/node]
 87,171,489 (14.64%)  ???:v8::internal::compiler::PipelineImpl::OptimizeGraph(v8::internal::compiler::Linkage*) [/usr/bin/node]
  3,000,000 ( 0.50%)  ???:v8::internal::Compiler::CompileOptimizedOSR(v8::internal::Isolate*) [/usr/bin/node]
`;

describe("inclusiveOf", () => {
  it("adds the first line of each entry and ignores what they call", () => {
    const entries = [/Compiler::CompileOptimized\(/, /Compiler::CompileOptimizedOSR\(/];
    expect(inclusiveOf(annotated, entries)).toBe(199_641_876 + 3_000_000);
  });

  it("is 0 when no entry ran in the window", () => {
    expect(inclusiveOf(annotated, [/Heap::CollectGarbage\(/])).toBe(0);
  });
});
