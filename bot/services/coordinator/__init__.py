"""What coordinators read and hand on: views (/outstanding, /status), the Excel export and the
on-time record (`export`, `ontime`, written by the streamed `xlsx` writer), the Word compilation
in GB/T 9704 layout (`compile`, `gbt9704`) and its .zip with the attached files (`bundle`), the
chart, and what every document shares (`paper`: texts in the reader's language, file names)."""
