package worker

import (
	"context"
	"errors"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The one definition of permanent and transient failures. A handler error
// is
//   - permanent (dead-lettered at once) when it was wrapped with Permanent,
//     or wraps an error whose PermanentFailure method returns true (a
//     partner refusing an interchange, deliverer.SendError), or — through
//     Classify — an engine error no retry can mend: the workflow refused the
//     command (engine.ErrDecision), or a command, workflow or stored history
//     cannot be decoded or is invalid;
//   - transient (retried for the transient window, whatever MaxDeliver)
//     when it was wrapped with Transient, or — through Classify — is an
//     optimistic-concurrency conflict left after the retries, wraps an error
//     whose TransientFailure method returns true (natsstore.StoreError), or
//     is a failure of the broker (IsBrokerError);
//   - otherwise counted towards MaxDeliver.

// permanentFailure is implemented by errors that know retrying cannot help.
type permanentFailure interface{ PermanentFailure() bool }

// transientFailure is implemented by errors of the infrastructure (a store
// or the broker).
type transientFailure interface{ TransientFailure() bool }

// Classify wraps err with Permanent or Transient as the rules above say
// and returns it unchanged otherwise (nil stays nil).
func Classify(err error) error {
	if err == nil || IsPermanent(err) || IsTransient(err) {
		return err
	}
	var tf transientFailure
	switch {
	case errors.Is(err, engine.ErrDecision), errors.Is(err, engine.ErrDecode), errors.Is(err, engine.ErrUnknownWorkflow),
		errors.Is(err, engine.ErrVersionRejected), errors.Is(err, engine.ErrInvalidArgument), errors.Is(err, engine.ErrInvalidID):
		return Permanent(err)
	case errors.Is(err, engine.ErrConflict), errors.As(err, &tf) && tf.TransientFailure(), IsBrokerError(err):
		return Transient(err)
	}
	return err
}

// IsBrokerError reports failures of the connection to NATS or of the
// server (timeouts, no responders, a closed or draining connection, a
// JetStream API error of the server's own making such as a missing leader).
func IsBrokerError(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrConnectionDraining) || errors.Is(err, nats.ErrConnectionReconnecting) ||
		errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, jetstream.ErrJetStreamNotEnabled) {
		return true
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.Code >= 500
}

// Blamed marks every failure left over as transient unless it is
// permanent: for handlers that answer and dead-letter inside whatever the
// message itself can be blamed for, so what remains is infrastructure (a
// publish, a store) — retried for the transient window, never dropped.
func Blamed(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return Transient(err)
}

// BlamedInside is the Middleware form of Blamed (WithMiddleware).
func BlamedInside(next Handler) Handler {
	return func(ctx context.Context, msg jetstream.Msg) error { return Blamed(next(ctx, msg)) }
}
