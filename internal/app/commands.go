package app

// The workers each command of a split deployment runs (cmd/ingest,
// cmd/processor …). Together they read every durable consumer defined in
// streams/consumers, as cmd/makod does alone (DaemonActors); the test
// TestSplitDeploymentReadsEveryConsumer holds them to that.

// IngestActors: the ingest worker (cmd/ingest).
func IngestActors(w *Wiring) []Actor { return []Actor{w.System.RunIngest} }

// ProcessorActors: the command processor and the effect relay (cmd/processor).
func ProcessorActors(w *Wiring) []Actor {
	return []Actor{w.System.RunProcessor, w.System.RunRelay}
}

// SchedulerActors: the deadline scheduler (cmd/scheduler).
func SchedulerActors(w *Wiring) []Actor { return []Actor{w.System.RunScheduler} }

// DelivererActors: the outbox deliverer (cmd/deliverer).
func DelivererActors(w *Wiring) []Actor { return []Actor{w.System.RunDeliverer} }

// ProjectorActors: the projector, serving the operator console and the
// read API on --http behind the authentication and tenant scoping
// (MountConsole; cmd/projector).
func ProjectorActors(w *Wiring) []Actor {
	return append(MountConsole(w), w.System.RunProjector)
}

// ERPActors: the ERP publisher, ERP receiver and webhook forwarder and the
// master-data consumer (cmd/erp).
func ERPActors(w *Wiring) []Actor {
	s := w.System
	return []Actor{s.RunERPPublisher, s.RunERPReceiver, s.RunERPWebhook, s.RunMaLo}
}

// SplitCommands returns the worker commands of a split deployment by name.
func SplitCommands() map[string]func(*Wiring) []Actor {
	return map[string]func(*Wiring) []Actor{
		"ingest": IngestActors, "processor": ProcessorActors, "scheduler": SchedulerActors,
		"deliverer": DelivererActors, "projector": ProjectorActors, "erp": ERPActors,
	}
}
