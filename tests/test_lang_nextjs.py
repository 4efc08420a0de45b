"""The nextjs_engineer suite (language typescript) end to end, and the Next.js idioms it relies
on: route handlers on web-standard Request/Response, redirects, streaming bodies, FormData
server actions and components rendered with react-dom/server, all on plain Node."""

from __future__ import annotations

from functools import partial

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from tests.helpers import node_reference_run, run_solution, sandbox_level

EXECUTOR = executor_for("typescript")
pytestmark = pytest.mark.skipif(EXECUTOR.missing() is not None,
                                reason=str(EXECUTOR.missing()))
LEVEL = sandbox_level()
run = partial(run_solution, EXECUTOR, "nextjs_engineer", level=LEVEL)


def test_redirect_stream_and_form_data() -> None:
    source = ('"use client";\n'
              "export async function handle(request: Request): Promise<Response> {\n"
              "  const form = await request.formData();\n"
              "  const done = new URL('/done', request.url);\n"
              "  if (form.get('go')) return Response.redirect(done, 303);\n"
              "  const enc = new TextEncoder();\n"
              "  const body = new ReadableStream<Uint8Array>({ start(c) {\n"
              "    c.enqueue(enc.encode('a')); c.enqueue(enc.encode('b')); c.close(); } });\n"
              "  return new Response(body, { headers: { 'x-kind': 'stream' } });\n}\n")
    post = ("const form = new FormData();\n{fill}\n"
            "const res = await handle(new Request('http://h/x', { method: 'POST', body: form }));\n"
            "return [res.status, res.headers.get('location') ?? res.headers.get('x-kind'),"
            " res.status === 200 ? await res.text() : null];")
    tests = [{"code": post.replace("{fill}", "form.append('go', '1');"),
              "expected": [303, "http://h/done", None]},
             {"code": post.replace("{fill}", ""), "expected": [200, "stream", "ab"]}]
    outcome = run(source, tests, "handle")
    assert outcome.status == statuses.PASSED, outcome.tests


def test_async_server_component_renders() -> None:
    if LEVEL == "unshare":
        pytest.skip("the unshare level does not bind node_modules")
    source = ("export async function Page({ params }: { params: Promise<{ id: string }> }) {\n"
              "  const { id } = await params;\n  return <h1 title={id}>{`Item ${id}`}</h1>;\n}\n")
    tests = [{"code": "const { renderToStaticMarkup } = await import('react-dom/server');\n"
                      "const params = Promise.resolve({ id: '7' });\n"
                      "return renderToStaticMarkup(await Page({ params }));",
              "expected": '<h1 title="7">Item 7</h1>'}]
    outcome = run(source, tests, "Page")
    assert outcome.status == statuses.PASSED, outcome


def test_next_imports_are_a_compile_error() -> None:
    source = ("import { NextResponse } from 'next/server';\n"
              "export function GET(): Response { return NextResponse.json({}); }\n")
    outcome = run(source, [{"code": "return 1;", "expected": 1}], "GET")
    assert outcome.status == statuses.COMPILE_ERROR
    assert "next/server" in outcome.message


def test_reference_solutions_pass(pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = node_reference_run(pytester, monkeypatch, "nextjs_mini.json", "nextjs_engineer")
    result.assert_outcomes(passed=12)
