package sqlstore

import (
	"context"

	"github.com/checkin-oss/checkin"
)

func (db *DB) webhookHooks() hooks[checkin.Webhook] {
	return hooks[checkin.Webhook]{
		check: func(ctx context.Context, w *checkin.Webhook) error {
			if db.CheckWebhookURL == nil {
				return nil
			}
			if err := db.CheckWebhookURL(ctx, w.URL); err != nil {
				return checkin.Invalid("URL", w.URL, "%s", err.Error())
			}
			return nil
		},
		prepare: func(tx *Tx, w, old *checkin.Webhook) error {
			if old == nil || old.Active || !w.Active {
				return nil
			}
			// Switched on again: start afresh, with no failures counted.
			w.ErrorCount = 0
			_, err := tx.Exec("UPDATE webhooks SET retry_at = 0 WHERE id = ?", w.ID)
			return err
		},
		extra: func(tx *Tx, w *checkin.Webhook) ([]string, []any, error) {
			if w.Secret == "" { // a replace without a secret keeps the one set
				return nil, nil, nil
			}
			return []string{"secret"}, []any{w.Secret}, nil
		},
		changed: func(w *checkin.Webhook) { w.Secret = "" },
	}
}
