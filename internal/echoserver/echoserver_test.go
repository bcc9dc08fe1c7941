package echoserver

import (
	"io"
	"net/http/httptest"
	"testing"
)

func TestHandlerNamesTheHost(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler("task-1").ServeHTTP(rec, httptest.NewRequest("GET", "/anything", nil))
	body, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != 200 || string(body) != "Hello Docker!! from task-1\n" {
		t.Errorf("got %d %q", rec.Code, body)
	}
}
