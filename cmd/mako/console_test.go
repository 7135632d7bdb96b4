package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/console"
)

func TestConsoleUser(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"console", "user", "anna", "nb,lfn"}, strings.NewReader("sehr-geheim\n"), &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	users, err := console.ParseUsers(&out, "out")
	if err != nil || len(users) != 1 || users[0].Name != "anna" || len(users[0].Tenants) != 2 {
		t.Fatalf("%+v %v", users, err)
	}
	a, err := console.NewAuth(console.WithUsers(users))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.CheckPassword("anna", "sehr-geheim"); !ok {
		t.Error("the printed hash does not match the password")
	}
	for _, args := range [][]string{{"console"}, {"console", "user", "a:b", "nb"}, {"console", "user", "anna", "NB!"}} {
		if code := run(context.Background(), args, strings.NewReader("sehr-geheim\n"), &out, &errs); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if code := run(context.Background(), []string{"console", "user", "anna", "*"}, strings.NewReader("kurz\n"), &out, &errs); code != 2 {
		t.Errorf("short password: exit %d", code)
	}
}
