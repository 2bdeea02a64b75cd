"""The call desk (the Calls page): the queue, the customer card, one key per call, paper."""
