"""MARE Broker: the event backbone of the MA.R.E. Franco-Italian cross-border labour market."""
