"""What the core writes: results files, the Excel workbook and the PDF reports."""
