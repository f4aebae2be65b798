"""Filing a report in chat: the flow and its steps, answers, preview, attached files, the
coordinator's review, the liaison's due view and the forms."""
