package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests find elements as a screen reader does, by the role and
// accessible name that Chromium's accessibility tree computes for them
// (PAGES.md gives them), never by id, class or XPath.

// el is an element of a role and accessible name ("" for any name).
type el struct {
	role, name string
	row        string // if set, the element is in the table row with a cell of this name
}

func role(r, name string) el { return el{role: r, name: name} }

func button(name string) el  { return role("button", name) }
func link(name string) el    { return role("link", name) }
func textbox(name string) el { return role("textbox", name) }

// inRow is the element in the table row that has a cell named cell.
func (e el) inRow(cell string) el { e.row = cell; return e }

func (e el) String() string {
	s := fmt.Sprintf("%s %q", e.role, e.name)
	if e.row != "" {
		s += fmt.Sprintf(" in the row of %q", e.row)
	}
	return s
}

// by is the query option that finds e, for chromedp's element actions.
func (e el) by() chromedp.QueryOption {
	return chromedp.ByFunc(func(ctx context.Context, t *chromedp.Target, _ *chromedp.Node) ([]cdp.NodeID, error) {
		nodes, err := e.findInDocument(ctx, t)
		if err != nil || len(nodes) == 0 {
			return nil, err
		}
		ids := make([]cdp.BackendNodeID, len(nodes))
		for i, ax := range nodes {
			ids[i] = ax.BackendDOMNodeID
		}
		res, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: ids})
		return res.NodeIDs, err
	})
}

// findInDocument finds e in the page's current document (a query that
// waits through a navigation must not hold on to the document before).
func (e el) findInDocument(ctx context.Context, t *chromedp.Target) ([]*accessibility.Node, error) {
	doc, err := cdp.Call(ctx, t, runtime.Evaluate, runtime.EvaluateParams{Expression: "document"})
	if err != nil || doc.Result == nil || doc.Result.ObjectID == "" {
		return nil, err
	}
	defer cdp.Call(ctx, t, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: doc.Result.ObjectID})
	return e.find(ctx, t, accessibility.QueryAXTreeParams{ObjectID: doc.Result.ObjectID})
}

// find queries the accessibility tree under root for e, leaving out the
// nodes hidden from it.
func (e el) find(ctx context.Context, t *chromedp.Target, root accessibility.QueryAXTreeParams) ([]*accessibility.Node, error) {
	if e.row == "" {
		return queryAX(ctx, t, root, e.role, e.name)
	}
	rows, err := queryAX(ctx, t, root, "row", "")
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		in := accessibility.QueryAXTreeParams{BackendNodeID: row.BackendDOMNodeID}
		cells, err := queryAX(ctx, t, in, "cell", e.row)
		if err != nil {
			return nil, err
		}
		if len(cells) > 0 {
			return queryAX(ctx, t, in, e.role, e.name)
		}
	}
	return nil, nil
}

func queryAX(ctx context.Context, t *chromedp.Target, root accessibility.QueryAXTreeParams, r, name string) ([]*accessibility.Node, error) {
	root.Role, root.AccessibleName = r, name
	res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, root)
	if err != nil {
		return nil, err
	}
	var shown []*accessibility.Node
	for _, n := range res.Nodes {
		if !n.Ignored && n.BackendDOMNodeID != 0 {
			shown = append(shown, n)
		}
	}
	return shown, nil
}

func click(e el) step              { return chromedp.Click(e.String(), e.by()) }
func waitFor(e el) step            { return chromedp.WaitVisible(e.String(), e.by()) }
func typeInto(e el, s string) step { return chromedp.SendKeys(e.String(), s, e.by()) }
func setValue(e el, s string) step { return chromedp.SetValue(e.String(), s, e.by()) }

// axNode returns e's node of the accessibility tree, or nil when the page
// has none (as while it is being replaced).
func axNode(t *testing.T, ctx context.Context, e el) *accessibility.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Action[*accessibility.Node](func(ctx context.Context, tg *chromedp.Target) (*accessibility.Node, error) {
		nodes, err := e.findInDocument(ctx, tg)
		if err != nil || len(nodes) == 0 {
			return nil, err
		}
		return nodes[0], nil
	}))
	if err != nil {
		return nil
	}
	return n
}

// property reads a property of e's DOM element, such as its textContent;
// ok is false when the page has no such element (as while it is being
// replaced).
func property(t *testing.T, ctx context.Context, e el, name string) (v string, ok bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Action[string](func(ctx context.Context, tg *chromedp.Target) (string, error) {
		nodes, err := e.findInDocument(ctx, tg)
		if err != nil || len(nodes) == 0 {
			return "", errors.New("not found")
		}
		obj, err := cdp.Call(ctx, tg, dom.ResolveNode, dom.ResolveNodeParams{BackendNodeID: nodes[0].BackendDOMNodeID})
		if err != nil {
			return "", err
		}
		defer cdp.Call(ctx, tg, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: obj.Object.ObjectID})
		byValue := true
		res, err := cdp.Call(ctx, tg, runtime.CallFunctionOn, runtime.CallFunctionOnParams{ObjectID: obj.Object.ObjectID,
			FunctionDeclaration: "function() { return String(this." + name + " ?? '') }", ReturnByValue: &byValue})
		if err != nil || res.Result == nil {
			return "", fmt.Errorf("read %s: %v", name, err)
		}
		var s string
		return s, json.Unmarshal(res.Result.Value, &s)
	}))
	return v, err == nil
}

// text is the text of e (its DOM text content), or "" when there is none.
func text(t *testing.T, ctx context.Context, e el) string {
	t.Helper()
	s, _ := property(t, ctx, e, "textContent")
	return s
}

// description is e's accessible description (what aria-describedby points
// at), as a screen reader reads it after the name.
func description(t *testing.T, ctx context.Context, e el) string {
	t.Helper()
	n := axNode(t, ctx, e)
	if n == nil || n.Description == nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(n.Description.Value, &s)
	return s
}

// waitText waits until e's text holds want, and returns it.
func waitText(t *testing.T, ctx context.Context, e el, want string) string {
	t.Helper()
	var got string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got = text(t, ctx, e); strings.Contains(got, want) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s holds %q, want %q", e, got, want)
	return got
}

// value is the value of e, a field.
func value(t *testing.T, ctx context.Context, e el) string {
	t.Helper()
	v, ok := property(t, ctx, e, "value")
	if !ok {
		t.Fatalf("no %s on the page", e)
	}
	return v
}

// attr is the value of e's attribute name.
func attr(t *testing.T, ctx context.Context, e el, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.AttributeValue(e.String(), name, e.by()))
	if err != nil || !v.Exists {
		t.Fatalf("the attribute %s of %s: %v", name, e, err)
	}
	return v.Value
}

// waitDescription waits until e's accessible description holds want.
func waitDescription(t *testing.T, ctx context.Context, e el, want string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = description(t, ctx, e); strings.Contains(got, want) {
			return
		}
	}
	t.Fatalf("%s is described as %q, want %q", e, got, want)
}
