"""What coordinators read and hand on: views (/outstanding, /status), the Excel export, the Word
compilation, the chart and the streamed workbook writer."""
