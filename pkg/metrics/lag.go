package metrics

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// ConsumerRef names a durable consumer whose lag is reported.
type ConsumerRef struct{ Stream, Consumer string }

// lagCollector asks the server for consumer state at scrape time.
type lagCollector struct {
	js        jetstream.JetStream
	consumers []ConsumerRef
	pending   *prometheus.Desc
	ackPend   *prometheus.Desc
	redeliv   *prometheus.Desc
}

// RegisterConsumerLag adds gauges mako_consumer_pending_messages,
// mako_consumer_ack_pending_messages and mako_consumer_redelivered_messages
// for the given durable consumers, read from the server on every scrape.
func (m *Metrics) RegisterConsumerLag(js jetstream.JetStream, consumers ...ConsumerRef) error {
	l := []string{"stream", "consumer"}
	return m.Registry.Register(&lagCollector{
		js: js, consumers: consumers,
		pending: prometheus.NewDesc("mako_consumer_pending_messages", "Messages not yet delivered to the consumer (lag).", l, nil),
		ackPend: prometheus.NewDesc("mako_consumer_ack_pending_messages", "Messages delivered and not yet acknowledged.", l, nil),
		redeliv: prometheus.NewDesc("mako_consumer_redelivered_messages", "Messages currently being redelivered.", l, nil),
	})
}

func (c *lagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.ackPend
	ch <- c.redeliv
}

func (c *lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, ref := range c.consumers {
		cons, err := c.js.Consumer(ctx, ref.Stream, ref.Consumer)
		if err != nil {
			continue
		}
		info, err := cons.Info(ctx)
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(info.NumPending), ref.Stream, ref.Consumer)
		ch <- prometheus.MustNewConstMetric(c.ackPend, prometheus.GaugeValue, float64(info.NumAckPending), ref.Stream, ref.Consumer)
		ch <- prometheus.MustNewConstMetric(c.redeliv, prometheus.GaugeValue, float64(info.NumRedelivered), ref.Stream, ref.Consumer)
	}
}
