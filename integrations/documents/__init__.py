"""Where documents live and how they are read.

local       content-addressed files under the var directory, one folder per RO (embedded)
graph       the RO's folder in a SharePoint/OneDrive library through Microsoft Graph
extraction  text layer (pypdf), OCR (Tesseract) -> typed release-certificate fields
"""
