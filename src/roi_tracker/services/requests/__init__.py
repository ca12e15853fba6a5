"""The request desk: every incoming request for records, its legal clock and its answer (issue 18).

Owns intake, the queue, extension, fulfilment through the disclosure gate, denial and its review, withdrawal
and the letters; rules are in domain/requests.py and domain/request_answers.py (regulatory.md section 8).
"""
